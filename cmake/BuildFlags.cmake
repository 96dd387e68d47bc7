# Compiler settings live on INTERFACE targets, never in global CMAKE_CXX_FLAGS.
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# nbo::build_flags: warnings (and sanitizers when asked) for our own code only.
add_library(nbo_build_flags INTERFACE)
add_library(nbo::build_flags ALIAS nbo_build_flags)
target_compile_options(nbo_build_flags INTERFACE
  -Wall -Wextra -Wno-unused-parameter
  $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>
  $<$<BOOL:${NBO_WERROR}>:-Werror>)
if(NBO_SANITIZE)
  target_compile_options(nbo_build_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(nbo_build_flags INTERFACE -fsanitize=address,undefined)
endif()

# nbo_add_test(NAME name SOURCES ... LIBS ...): one GoogleTest binary registered with ctest.
function(nbo_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main nbo::build_flags)
  gtest_discover_tests(${T_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${T_LABELS}")
endfunction()

# nbo_add_benchmark(NAME name SOURCES ... LIBS ...): a Google Benchmark binary (never run by ctest).
function(nbo_add_benchmark)
  if(NOT NBO_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_LIBS} benchmark::benchmark nbo::build_flags
                        nbo::allocator)
endfunction()
