# cudafit_require(<find_package name> <Debian package> [COMPONENTS ...]): find_package, and when
# it is missing stop at configure time naming the Debian package that provides it — never a
# compiler error deep in the build. scripts/deps.sh installs every package named here.
function(cudafit_require name debian)
  find_package(${name} QUIET ${ARGN})
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR
      "${name} was not found: install the Debian 12 package `${debian}` "
      "(bash scripts/deps.sh installs it; --test for the test packages).")
  endif()
endfunction()
