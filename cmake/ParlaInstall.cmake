# `cmake --install build --prefix P`: the parla and parla-torch executables (P/bin), the
# libraries (P/lib), the public headers (P/include/parla), the models and the sample
# (P/share/parla, found at run time relative to the binaries: core data_dir()), a CMake
# config package (find_package(Parla) → Parla::parla, Parla::critic) and pkg-config files.
# `cpack -G DEB` (run in build/) packs the same tree as parla_VERSION_ARCH.deb with its
# Depends from dpkg-shlibdeps. docs/library.md "Install and package".
include(CMakePackageConfigHelpers)

set(PARLA_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/parla)
set(PARLA_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Parla)

install(TARGETS parla parla-torch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(parla_libraries parla_lib)
if(TARGET parla_critic_lib)
  list(APPEND parla_libraries parla_critic_lib)
endif()
install(TARGETS ${parla_libraries} EXPORT ParlaTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/parla DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The weights with their manifests and the sample; training curves stay in the source tree.
install(DIRECTORY data/models data/sample DESTINATION ${PARLA_INSTALL_DATADIR}
        PATTERN "loss*" EXCLUDE)

install(EXPORT ParlaTargets NAMESPACE Parla:: DESTINATION ${PARLA_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/ParlaConfig.cmake.in ${PROJECT_BINARY_DIR}/ParlaConfig.cmake
                              INSTALL_DESTINATION ${PARLA_INSTALL_CMAKEDIR}
                              PATH_VARS CMAKE_INSTALL_INCLUDEDIR PARLA_INSTALL_DATADIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ParlaConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ParlaConfig.cmake ${PROJECT_BINARY_DIR}/ParlaConfigVersion.cmake
        DESTINATION ${PARLA_INSTALL_CMAKEDIR})

# pkg-config: prefix relative to the .pc file, so a moved prefix still works.
file(RELATIVE_PATH PARLA_PC_PREFIX_FROM_PCDIR "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
foreach(pc parla parla-critic)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()

# cpack -G DEB: the Debian package. Depends come from dpkg-shlibdeps over the installed
# binaries and libraries; dlib's landmark model is data, named by hand.
set(CPACK_PACKAGE_NAME parla)
set(CPACK_PACKAGE_VENDOR "Parla")
set(CPACK_PACKAGE_CONTACT "Parla maintainers <parla@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Animate a portrait from speech: talking-portrait videos, live avatar, critic")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # parla_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libdlib-data")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
