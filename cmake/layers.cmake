# authgate_layer(name [DEPENDS libs...] [PCH header])
# Builds src/<name>/**.cpp into the static library authgate_<name>. A layer with no sources yet is an
# INTERFACE library, so the dependency graph stays valid while layers are being written.
set(AUTHGATE_LAYERS "")
function(authgate_layer name)
  cmake_parse_arguments(L "" "PCH" "DEPENDS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  set(target authgate_${name})
  if(sources)
    add_library(${target} STATIC ${sources})
    # BUILD_INTERFACE: these paths exist only in this tree; cmake/install.cmake adds the installed one.
    target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                                $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
                                         PRIVATE ${PROJECT_SOURCE_DIR}/src)
    # The warning flags are ours: an installed static library must not ask its users for them.
    target_link_libraries(${target} PUBLIC ${L_DEPENDS} PRIVATE $<BUILD_INTERFACE:authgate_warnings>)
    if(AUTHGATE_FUZZ)
      set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
    endif()
    if(L_PCH AND EXISTS ${L_PCH})
      target_precompile_headers(${target} PRIVATE ${L_PCH})
    endif()
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                                   $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>)
    target_link_libraries(${target} INTERFACE ${L_DEPENDS})
  endif()
  set(AUTHGATE_LAYERS ${AUTHGATE_LAYERS} ${name} PARENT_SCOPE)
endfunction()
