# FindISAL: Intel's ISA-L (libisal), which ships a pkg-config file but no CMake package.
# Sets ISAL_FOUND and defines the imported target ISAL::ISAL. Installed beside tblogConfig.cmake,
# so that a missing ISA-L makes find_package(tblog) report tblog_FOUND false, not fail.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_ISAL QUIET libisal)  # only hints where to look
endif()
find_path(ISAL_INCLUDE_DIR NAMES isa-l/crc.h HINTS ${PC_ISAL_INCLUDEDIR} ${PC_ISAL_INCLUDE_DIRS})
find_library(ISAL_LIBRARY NAMES isal HINTS ${PC_ISAL_LIBDIR} ${PC_ISAL_LIBRARY_DIRS})
set(ISAL_VERSION ${PC_ISAL_VERSION})
mark_as_advanced(ISAL_INCLUDE_DIR ISAL_LIBRARY)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ISAL REQUIRED_VARS ISAL_LIBRARY ISAL_INCLUDE_DIR
                                  VERSION_VAR ISAL_VERSION)
if(ISAL_FOUND AND NOT TARGET ISAL::ISAL)
  add_library(ISAL::ISAL UNKNOWN IMPORTED)
  set_target_properties(ISAL::ISAL PROPERTIES
    IMPORTED_LOCATION "${ISAL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${ISAL_INCLUDE_DIR}")
endif()
