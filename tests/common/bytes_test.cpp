#include <catch2/catch.hpp>

#include "stoa/common/bytes.hpp"

TEST_CASE("byte_writer and byte_reader round-trip big-endian integers", "[common][bytes]") {
    stoa::bytes buffer;
    stoa::byte_writer writer(buffer);
    writer.write_u8(0xab);
    writer.write_u16(0x1234);
    writer.write_u32(0xdeadbeef);
    writer.write_u64(0x0102030405060708ULL);
    REQUIRE(buffer.size() == 15);
    CHECK(buffer[1] == 0x12);

    stoa::byte_reader reader(buffer);
    CHECK(reader.read_u8() == 0xab);
    CHECK(reader.read_u16() == 0x1234);
    CHECK(reader.read_u32() == 0xdeadbeefU);
    CHECK(reader.read_u64() == 0x0102030405060708ULL);
    CHECK(reader.empty());
}

TEST_CASE("byte_reader refuses to read past the end and keeps its position", "[common][bytes]") {
    const stoa::bytes buffer{1, 2, 3};
    stoa::byte_reader reader(buffer);
    CHECK_FALSE(reader.read_u32().has_value());
    CHECK(reader.offset() == 0);
    CHECK_FALSE(reader.read_bytes(4).has_value());
    auto two = reader.read_bytes(2);
    REQUIRE(two.has_value());
    CHECK(two->size() == 2);
    CHECK(reader.remaining() == 1);
}

TEST_CASE("hex encoding round-trips and rejects bad digits", "[common][bytes]") {
    const stoa::bytes data{0x00, 0x7f, 0xff};
    CHECK(stoa::to_hex(data) == "007fff");
    CHECK(stoa::from_hex("007fff") == data);
    CHECK_FALSE(stoa::from_hex("0g").has_value());
    CHECK_FALSE(stoa::from_hex("abc").has_value());
}
