# What `cmake --install` puts where (docs/install.md), in two components:
#   runtime      the authgate executable
#   development  the public headers, the static layer libraries, the CMake package (find_package(authgate)
#                → authgate::authgate) and authgate.pc for pkg-config
# The Debian package and its system files (unit, /etc/authgate) are cmake/package.cmake's.
#
# Only include/authgate/ is installed. The config, net, http and gateway layers keep their headers in src/:
# their libraries are installed because the public layers link them (schemes → net), not to be called.
if(AUTHGATE_FUZZ)
  return()  # instrumented libraries, built only for the fuzz targets: nothing to install
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AUTHGATE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/authgate)

# --- the executable ----------------------------------------------------------------------------------
if(TARGET authgate)
  install(TARGETS authgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
endif()

# --- headers --------------------------------------------------------------------------------------
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/authgate DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT development FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/authgate/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/authgate COMPONENT development)

# --- libraries and the exported targets -----------------------------------------------------------
# authgate::<layer> for each layer, and authgate::authgate (authgate_core) linking them all. In this tree the
# layers find their headers through $<BUILD_INTERFACE:…> paths (cmake/layers.cmake); once installed, here.
set(layer_targets "")
foreach(layer IN LISTS AUTHGATE_LAYERS)
  target_include_directories(authgate_${layer} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(authgate_${layer} PROPERTIES EXPORT_NAME ${layer})
  list(APPEND layer_targets authgate_${layer})
endforeach()
set_target_properties(authgate_core PROPERTIES EXPORT_NAME authgate)
# The public headers use C++20 (std::span, defaulted operator==): users must compile as C++20 too.
target_compile_features(authgate_core INTERFACE cxx_std_20)

install(TARGETS ${layer_targets} authgate_core EXPORT authgate-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
install(EXPORT authgate-targets NAMESPACE authgate:: DESTINATION ${AUTHGATE_CMAKE_DIR}
        FILE authgate-targets.cmake COMPONENT development)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/authgate-config.cmake.in
                              ${PROJECT_BINARY_DIR}/authgate-config.cmake INSTALL_DESTINATION ${AUTHGATE_CMAKE_DIR})
# 0.x: a minor version may change the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/authgate-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/authgate-config.cmake ${PROJECT_BINARY_DIR}/authgate-config-version.cmake
        DESTINATION ${AUTHGATE_CMAKE_DIR} COMPONENT development)

# --- pkg-config -----------------------------------------------------------------------------------
# The layers are static archives, so `pkg-config --libs authgate` must name every one, each before the
# layers it depends on: a depth-first walk of the DEPENDS lists puts dependencies first; reversed, it is
# the link order.
function(authgate_visit_layer layer done_var)
  set(done ${${done_var}})
  if(layer IN_LIST done)
    return()
  endif()
  get_target_property(deps authgate_${layer} INTERFACE_LINK_LIBRARIES)
  foreach(dep IN LISTS deps)
    if(dep MATCHES "^authgate_(.+)$" AND CMAKE_MATCH_1 IN_LIST AUTHGATE_LAYERS)
      authgate_visit_layer(${CMAKE_MATCH_1} done)
    endif()
  endforeach()
  list(APPEND done ${layer})
  set(${done_var} ${done} PARENT_SCOPE)
endfunction()
function(authgate_link_order out)
  set(done "")
  foreach(layer IN LISTS AUTHGATE_LAYERS)
    authgate_visit_layer(${layer} done)
  endforeach()
  list(REVERSE done)
  set(${out} ${done} PARENT_SCOPE)
endfunction()
authgate_link_order(pc_layers)
set(AUTHGATE_PC_LIBS "")
set(AUTHGATE_PC_DEFINES "")
foreach(layer IN LISTS pc_layers)
  get_target_property(type authgate_${layer} TYPE)
  if(type STREQUAL "STATIC_LIBRARY")
    string(APPEND AUTHGATE_PC_LIBS " -lauthgate_${layer}")
  endif()
  get_target_property(defines authgate_${layer} INTERFACE_COMPILE_DEFINITIONS)
  foreach(define IN LISTS defines)
    if(define)
      string(APPEND AUTHGATE_PC_DEFINES " -D${define}")
    endif()
  endforeach()
endforeach()
# @VAR@ now (layers, defines, version); the prefix only when installing, so that `--prefix` and DESTDIR
# are honoured (a .pc file cannot find its own prefix the way a CMake package does): the first pass
# writes those three placeholders back unchanged.
foreach(var IN ITEMS AUTHGATE_PC_PREFIX AUTHGATE_PC_LIBDIR AUTHGATE_PC_INCLUDEDIR)
  set(${var} "@${var}@")
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/authgate.pc.in ${PROJECT_BINARY_DIR}/authgate.pc.in @ONLY)
install(CODE "
  set(AUTHGATE_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  cmake_path(ABSOLUTE_PATH AUTHGATE_PC_PREFIX NORMALIZE)
  set(AUTHGATE_PC_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(AUTHGATE_PC_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  cmake_path(ABSOLUTE_PATH AUTHGATE_PC_LIBDIR BASE_DIRECTORY \"\${AUTHGATE_PC_PREFIX}\" NORMALIZE)
  cmake_path(ABSOLUTE_PATH AUTHGATE_PC_INCLUDEDIR BASE_DIRECTORY \"\${AUTHGATE_PC_PREFIX}\" NORMALIZE)
  configure_file(\"${PROJECT_BINARY_DIR}/authgate.pc.in\" \"${PROJECT_BINARY_DIR}/pkgconfig/authgate.pc\" @ONLY)
  file(INSTALL \"${PROJECT_BINARY_DIR}/pkgconfig/authgate.pc\" DESTINATION \"\${AUTHGATE_PC_LIBDIR}/pkgconfig\")
" COMPONENT development)

include(package)
