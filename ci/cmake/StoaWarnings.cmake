# Warnings for Stoa's own targets (never applied to dependencies).
add_library(stoa_warnings INTERFACE)
target_compile_options(stoa_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
add_library(stoa::warnings ALIAS stoa_warnings)
