# Toolchain file for the WebAssembly builds: finds Debian's Emscripten and
# sets the web flags. Use it as
#   cmake -S . -B build-wasm -DCMAKE_TOOLCHAIN_FILE=emsdk-config.cmake [-DDISTILLERY_WASM_THREADS=OFF]
# (scripts/build-web.sh does this). Debian's emcc uses a frozen prebuilt
# cache: never set EM_CACHE, and use no Emscripten "ports" (they download).
set(DISTILLERY_EMSCRIPTEN_ROOT "/usr/share/emscripten" CACHE PATH "Emscripten installation")
include("${DISTILLERY_EMSCRIPTEN_ROOT}/cmake/Modules/Platform/Emscripten.cmake")

option(DISTILLERY_WASM_THREADS "Build with pthreads (needs a cross-origin isolated page)" ON)

# -fwasm-exceptions: a C++ throw (a bad upload) must be catchable, not abort
# the module. -msimd128 enables WebAssembly SIMD. -msse lets Eigen use its SSE
# path through Emscripten's SSE emulation (-msse2 and up break the build).
set(DISTILLERY_WASM_COMPILE_FLAGS -O3 -msimd128 -msse -fwasm-exceptions)
set(DISTILLERY_WASM_LINK_FLAGS -O3 -msimd128 -fwasm-exceptions -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB
    -sTOTAL_STACK=1MB)  # Emscripten 3.1.6 name (STACK_SIZE came later)
if(DISTILLERY_WASM_THREADS)
  list(APPEND DISTILLERY_WASM_COMPILE_FLAGS -pthread)
  list(APPEND DISTILLERY_WASM_LINK_FLAGS -pthread -sPTHREAD_POOL_SIZE=4)
endif()
