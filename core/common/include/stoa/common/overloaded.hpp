// The visitor of several lambdas for std::visit over the wire formats' variants.
#pragma once

namespace stoa {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace stoa
