# The C API (include/birthright/birthright.h, docs/c-api.md): a shared library
# with a SONAME exporting only br_* symbols, the same API as a static library,
# and the install tree: headers, libraries, a CMake package and birthright.pc.
# Included from the top-level CMakeLists.txt; kept in step with BUILD.bazel.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# One source of truth for versions: the header. The SONAME follows the ABI
# version (libbirthright.so.<BR_ABI_VERSION>); the header's version string must
# match the project's.
file(STRINGS ${PROJECT_SOURCE_DIR}/include/birthright/birthright.h _br_abi_line
     REGEX "^#define BR_ABI_VERSION [0-9]+")
string(REGEX REPLACE "^#define BR_ABI_VERSION ([0-9]+).*" "\\1" BIRTHRIGHT_ABI_VERSION
       "${_br_abi_line}")
file(STRINGS ${PROJECT_SOURCE_DIR}/include/birthright/birthright.h _br_version_line
     REGEX "^#define BR_VERSION_STRING ")
if(NOT _br_version_line MATCHES "\"${PROJECT_VERSION}\"")
  message(FATAL_ERROR "birthright.h: BR_VERSION_STRING (${_br_version_line}) does not "
                      "match the project version ${PROJECT_VERSION}")
endif()

set(BIRTHRIGHT_CAPI_SRCS
  ${PROJECT_SOURCE_DIR}/src/capi/c_api.cc
)
set(BIRTHRIGHT_CAPI_VERSION_SCRIPT ${PROJECT_SOURCE_DIR}/src/capi/birthright.map)

# libbirthright.so: the C API with the core linked in. Hidden visibility plus
# a version script, so that only br_* is exported (check with
# `nm -D --defined-only libbirthright.so`; tests/capi/exports_test.sh does).
add_library(birthright_shared SHARED ${BIRTHRIGHT_CAPI_SRCS})
set_target_properties(birthright_shared PROPERTIES
  OUTPUT_NAME birthright
  EXPORT_NAME birthright
  VERSION ${PROJECT_VERSION}
  SOVERSION ${BIRTHRIGHT_ABI_VERSION}
  C_VISIBILITY_PRESET hidden
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LINK_DEPENDS ${BIRTHRIGHT_CAPI_VERSION_SCRIPT})
target_include_directories(birthright_shared
  PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
         $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(birthright_shared PRIVATE birthright_core)
target_link_options(birthright_shared PRIVATE
  "LINKER:--version-script=${BIRTHRIGHT_CAPI_VERSION_SCRIPT}"
  "LINKER:--no-undefined")
add_library(birthright::birthright ALIAS birthright_shared)

# libbirthright.a: the same API for static linking (needs the core and its
# dependencies; the CMake package and `pkg-config --static` name them).
add_library(birthright_static STATIC ${BIRTHRIGHT_CAPI_SRCS})
set_target_properties(birthright_static PROPERTIES
  OUTPUT_NAME birthright
  EXPORT_NAME birthright_static)
target_include_directories(birthright_static PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(birthright_static PUBLIC birthright_core)
add_library(birthright::birthright_static ALIAS birthright_static)
set_target_properties(birthright_core PROPERTIES EXPORT_NAME core)

# --- Install ---------------------------------------------------------------
install(TARGETS birthright_shared birthright_static birthright_core
  EXPORT birthrightTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS birthright RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/birthright
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

set(BIRTHRIGHT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/birthright)
install(EXPORT birthrightTargets
  NAMESPACE birthright::
  DESTINATION ${BIRTHRIGHT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/birthrightConfig.cmake.in
  ${PROJECT_BINARY_DIR}/birthrightConfig.cmake
  INSTALL_DESTINATION ${BIRTHRIGHT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/birthrightConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/birthrightConfig.cmake
              ${PROJECT_BINARY_DIR}/birthrightConfigVersion.cmake
  DESTINATION ${BIRTHRIGHT_CMAKE_DIR})

# birthright.pc is relocatable (${pcfiledir}), so `cmake --install --prefix`
# anywhere gives a working file.
file(RELATIVE_PATH BIRTHRIGHT_PC_PREFIX_REL
     "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/birthright.pc.in
               ${PROJECT_BINARY_DIR}/birthright.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/birthright.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
