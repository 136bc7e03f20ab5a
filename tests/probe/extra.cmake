# test_probe: fake driver libraries (libnvidia-ml.so.1, libcuda.so.1) whose behaviour the
# tests set through environment variables.
set(CUDAFIT_FAKE_DRIVER_DIR ${CMAKE_BINARY_DIR}/fake-driver)
foreach(lib nvidia-ml cuda)
  add_library(fake_${lib} SHARED ${CMAKE_CURRENT_SOURCE_DIR}/probe/fake/fake_${lib}.c)
  set_target_properties(fake_${lib} PROPERTIES
    OUTPUT_NAME ${lib} VERSION 999.1.2 SOVERSION 1
    LIBRARY_OUTPUT_DIRECTORY ${CUDAFIT_FAKE_DRIVER_DIR}
    C_VISIBILITY_PRESET default)
  # The project's C++-only warning flags do not apply to these C files.
  get_target_property(fake_opts fake_${lib} COMPILE_OPTIONS)
  list(REMOVE_ITEM fake_opts -Wnon-virtual-dtor)
  set_target_properties(fake_${lib} PROPERTIES COMPILE_OPTIONS "${fake_opts}")
  target_compile_options(fake_${lib} PRIVATE -fno-sanitize=all)
  target_link_options(fake_${lib} PRIVATE -fno-sanitize=all)
  add_dependencies(test_probe fake_${lib})
endforeach()
target_compile_definitions(test_probe PRIVATE CUDAFIT_FAKE_DRIVER_DIR="${CUDAFIT_FAKE_DRIVER_DIR}")
