# Compiler flags shared by every Parla target: warnings, sanitizers, optional -march.
add_library(parla_options INTERFACE)
target_compile_options(parla_options INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers
  -Wno-restrict)  # GCC 12 reports false -Wrestrict positives inside std::string (PR105651)
if(PARLA_WERROR)
  target_compile_options(parla_options INTERFACE -Werror)
endif()
if(PARLA_NATIVE)
  target_compile_options(parla_options INTERFACE -march=native)
endif()
# PARLA_SANITIZE: one sanitizer or a comma-separated list (address,undefined); thread
# alone. UB is fatal (-fno-sanitize-recover), so a test that hits it fails.
if(PARLA_SANITIZE)
  if(NOT PARLA_SANITIZE MATCHES "^(address|undefined|thread|address,undefined|undefined,address)$")
    message(FATAL_ERROR "PARLA_SANITIZE must be address, undefined, address,undefined or thread "
                        "(got '${PARLA_SANITIZE}')")
  endif()
  target_compile_options(parla_options INTERFACE -fsanitize=${PARLA_SANITIZE} -fno-omit-frame-pointer)
  if(PARLA_SANITIZE MATCHES "undefined")
    target_compile_options(parla_options INTERFACE -fno-sanitize-recover=undefined)
  endif()
  target_link_options(parla_options INTERFACE -fsanitize=${PARLA_SANITIZE})
endif()
# Modules include "module/module.h"; the public headers are "parla/parla.h" (include/).
target_include_directories(parla_options INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/include)

# parla_module(NAME DEPS ...): one static library per top-level folder, built from
# every .cpp in that folder but main.cpp.
function(parla_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "/main\\.cpp$")
  if(NOT sources)  # a module whose code has not landed yet
    add_library(parla_${name} INTERFACE)
    target_link_libraries(parla_${name} INTERFACE parla_options ${ARG_DEPS})
    add_library(parla::${name} ALIAS parla_${name})
    return()
  endif()
  add_library(parla_${name} STATIC ${sources})
  target_link_libraries(parla_${name} PUBLIC parla_options ${ARG_DEPS})
  add_library(parla::${name} ALIAS parla_${name})
endfunction()

# parla_tests(MODULE [DEPS ...]): GoogleTest executables for tests/<module>. Files
# named *_slow_test.cpp build test_<module>_slow (CTest label "slow"), *_model_test.cpp
# build test_<module>_model (label "model"), the rest build test_<module> ("unit").
function(parla_tests module)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB all CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  set(unit ${all})
  foreach(label slow model)
    set(files ${all})
    list(FILTER files INCLUDE REGEX "_${label}_test\\.cpp$")
    list(FILTER unit EXCLUDE REGEX "_${label}_test\\.cpp$")
    if(files)
      parla_test_executable(test_${module}_${label} ${label} "${files}" "${module};${ARG_DEPS}")
    endif()
  endforeach()
  if(unit)
    parla_test_executable(test_${module} unit "${unit}" "${module};${ARG_DEPS}")
  endif()
endfunction()

function(parla_test_executable target label sources deps)
  add_executable(${target} ${sources})
  foreach(dep ${deps})
    if(TARGET parla_${dep})
      target_link_libraries(${target} PRIVATE parla_${dep})
    else()
      target_link_libraries(${target} PRIVATE ${dep})
    endif()
  endforeach()
  target_link_libraries(${target} PRIVATE parla_testing GTest::gtest_main)
  # Executables named in PARLA_RUN_SERIAL_TARGETS (set by the module's CMakeLists before
  # parla_tests) time real playback: ctest runs each of their tests alone, so a test
  # starting Chromium or a training run beside them cannot starve them.
  set(serial FALSE)
  if(target IN_LIST PARLA_RUN_SERIAL_TARGETS)
    set(serial TRUE)
  endif()
  gtest_discover_tests(${target} PROPERTIES LABELS ${label} RUN_SERIAL ${serial} DISCOVERY_TIMEOUT 120
                       WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
endfunction()
