# Installs the library, its headers, a CMake package (find_package(tblog)) and a pkg-config file.
include(CMakePackageConfigHelpers)

install(TARGETS tblog EXPORT tblogTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tblog DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/tblog/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tblog)

set(TBLOG_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tblog)
install(EXPORT tblogTargets NAMESPACE tblog:: DESTINATION ${TBLOG_CMAKE_DIR})
# The optional components that were built, so the package config finds their dependencies.
foreach(component ONNX TORCH MPI)
  string(TOLOWER ${component} target)
  if(TARGET tblog_${target})
    set(TBLOG_HAS_${component} TRUE)
  else()
    set(TBLOG_HAS_${component} FALSE)
  endif()
endforeach()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tblogConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tblogConfig.cmake INSTALL_DESTINATION ${TBLOG_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tblogConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tblogConfig.cmake ${PROJECT_BINARY_DIR}/tblogConfigVersion.cmake
  DESTINATION ${TBLOG_CMAKE_DIR})

file(RELATIVE_PATH TBLOG_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/tblog.pc.in ${PROJECT_BINARY_DIR}/tblog.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tblog.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
