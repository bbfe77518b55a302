# The CMake package (find_package(tblog [COMPONENTS onnx torch mpi])), installed and in the
# build tree, the headers, both libraries and a pkg-config file.
#
# Each component has its own export set and targets file, included by tblogConfig.cmake only
# when the component is asked for: a plain find_package(tblog) looks for none of their
# dependencies (LibTorch, ONNX, MPI).
include(CMakePackageConfigHelpers)

set(TBLOG_LIBRARIES tblog)
if(TARGET tblog_shared)
  list(APPEND TBLOG_LIBRARIES tblog_shared)
endif()
install(TARGETS ${TBLOG_LIBRARIES} EXPORT tblogTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/tblog DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/tblog/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tblog)

# The same package files serve the install and the build tree (tblog_DIR=<build folder>):
# they find everything relative to their own folder.
set(TBLOG_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tblog)
install(EXPORT tblogTargets NAMESPACE tblog:: DESTINATION ${TBLOG_CMAKE_DIR})
export(EXPORT tblogTargets NAMESPACE tblog:: FILE ${PROJECT_BINARY_DIR}/tblogTargets.cmake)
set(TBLOG_COMPONENTS)
foreach(component onnx torch mpi)
  if(TARGET tblog_${component})
    list(APPEND TBLOG_COMPONENTS ${component})
    string(SUBSTRING ${component} 0 1 first)
    string(TOUPPER ${first} first)
    string(SUBSTRING ${component} 1 -1 rest)
    set(export_set tblog${first}${rest}Targets)  # tblogOnnxTargets, ...
    install(EXPORT ${export_set} NAMESPACE tblog:: DESTINATION ${TBLOG_CMAKE_DIR})
    export(EXPORT ${export_set} NAMESPACE tblog:: FILE ${PROJECT_BINARY_DIR}/${export_set}.cmake)
  endif()
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tblogConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tblogConfig.cmake INSTALL_DESTINATION ${TBLOG_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tblogConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
configure_file(${PROJECT_SOURCE_DIR}/cmake/FindISAL.cmake ${PROJECT_BINARY_DIR}/FindISAL.cmake
  COPYONLY)
install(FILES ${PROJECT_BINARY_DIR}/tblogConfig.cmake ${PROJECT_BINARY_DIR}/tblogConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindISAL.cmake
  DESTINATION ${TBLOG_CMAKE_DIR})

# pkg-config: `-ltblog` finds libtblog.so first, which brings its own dependencies; a
# static-only install lists them as Requires, so `pkg-config --libs tblog` links either way.
if(TARGET tblog_shared)
  set(TBLOG_PC_REQUIRES "Requires.private")
else()
  set(TBLOG_PC_REQUIRES "Requires")
endif()
file(RELATIVE_PATH TBLOG_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/tblog.pc.in ${PROJECT_BINARY_DIR}/tblog.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tblog.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
