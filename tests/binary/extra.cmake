# Fixture libraries for test_binary, built with nvcc when it is present (CUDA 13.0 here: it
# cannot target below sm_75). Each fixture's gencode set is what the tests expect to read back.
find_program(CUDAFIT_NVCC nvcc PATHS /usr/local/cuda/bin NO_DEFAULT_PATH)
if(NOT CUDAFIT_NVCC)
  find_program(CUDAFIT_NVCC nvcc)
endif()
set(fx_out ${CMAKE_CURRENT_BINARY_DIR}/binary_fixtures)
set(fx_src ${CMAKE_CURRENT_SOURCE_DIR}/binary/fixtures/src)
if(CUDAFIT_NVCC)
  set(so_flags -shared -Xcompiler -fPIC -cudart shared)
  set(fixture_files)
  macro(nvcc_fixture out)
    add_custom_command(OUTPUT ${fx_out}/${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${fx_out}
      COMMAND ${CUDAFIT_NVCC} ${ARGN} -o ${fx_out}/${out}
      DEPENDS ${fx_src}/k1.cu ${fx_src}/k2.cu
      WORKING_DIRECTORY ${fx_src}
      COMMENT "nvcc fixture ${out}" VERBATIM)
    list(APPEND fixture_files ${fx_out}/${out})
  endmacro()
  nvcc_fixture(plain.so ${so_flags} -gencode arch=compute_75,code=sm_75
    -gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86 k1.cu)
  nvcc_fixture(arch_specific.fatbin -fatbin -gencode arch=compute_90a,code=sm_90a
    -gencode arch=compute_100a,code=sm_100a k1.cu)
  nvcc_fixture(family.so ${so_flags} -gencode arch=compute_100f,code=sm_100f
    -gencode arch=compute_120f,code=sm_120f k1.cu)
  nvcc_fixture(ptx_only.fatbin -fatbin -gencode arch=compute_80,code=compute_80 k1.cu)
  nvcc_fixture(compressed.so ${so_flags} -Xfatbin -compress-all
    -gencode arch=compute_80,code=[sm_80,compute_80] k1.cu)
  nvcc_fixture(uncompressed.fatbin -fatbin -Xfatbin -compress=false
    -gencode arch=compute_80,code=[sm_80,compute_80] k1.cu)
  nvcc_fixture(sm_90a.cubin -cubin -arch=sm_90a k1.cu)
  nvcc_fixture(sm_120f.cubin -cubin -arch=sm_120f k1.cu)
  # Two translation units with different targets linked into one library.
  nvcc_fixture(k1_sm80.o -c -Xcompiler -fPIC -gencode arch=compute_80,code=sm_80 k1.cu)
  nvcc_fixture(k2_sm80_90.o -c -Xcompiler -fPIC -gencode arch=compute_80,code=sm_80
    -gencode arch=compute_90,code=sm_90 k2.cu)
  add_custom_command(OUTPUT ${fx_out}/multi.so
    COMMAND ${CUDAFIT_NVCC} ${so_flags} -gencode arch=compute_80,code=sm_80
      ${fx_out}/k1_sm80.o ${fx_out}/k2_sm80_90.o -o ${fx_out}/multi.so
    DEPENDS ${fx_out}/k1_sm80.o ${fx_out}/k2_sm80_90.o
    COMMENT "nvcc fixture multi.so" VERBATIM)
  list(APPEND fixture_files ${fx_out}/multi.so)
  add_custom_target(binary_nvcc_fixtures DEPENDS ${fixture_files})
  add_dependencies(test_binary binary_nvcc_fixtures)
  target_compile_definitions(test_binary PRIVATE CUDAFIT_NVCC_FIXTURES="${fx_out}")
else()
  message(STATUS "nvcc not found: tests/binary's nvcc fixtures will be skipped")
  target_compile_definitions(test_binary PRIVATE CUDAFIT_NVCC_FIXTURES="")
endif()
