// Prints tests/vectors/sframe_vectors.json. Regenerate only on a deliberate format change:
//   build/h-e2ee/tests/e2ee/stoa_e2ee_sframe_vectors > tests/vectors/sframe_vectors.json
#include <iostream>

#include "sframe_vector_cases.hpp"

int main() {
    std::cout << stoa::e2ee::test::compute_sframe_vectors().dump(2) << '\n';
    return 0;
}
