# Toolchain file for the WebAssembly builds: finds Debian's Emscripten and
# sets the web flags. Use it as
#   cmake -S . -B build-wasm -DCMAKE_TOOLCHAIN_FILE=emsdk-config.cmake [-DDISTILLERY_WASM_THREADS=OFF]
# (scripts/build-web.sh does this). Debian's emcc uses a frozen prebuilt
# cache: never set EM_CACHE, and use no Emscripten "ports" (they download).
set(DISTILLERY_EMSCRIPTEN_ROOT "/usr/share/emscripten" CACHE PATH "Emscripten installation")
include("${DISTILLERY_EMSCRIPTEN_ROOT}/cmake/Modules/Platform/Emscripten.cmake")

option(DISTILLERY_WASM_THREADS "Build with pthreads (needs a cross-origin isolated page)" ON)

# Exceptions must be catchable: a bad upload throws distillery::Error and the
# app shows the message. -fwasm-exceptions (native WebAssembly exceptions) is
# the fast choice, but Emscripten 3.1.6 with -pthread breaks typed catch under
# it: every `catch (const Error&)` falls into `catch (...)` (reproduced with a
# 10-line program, also after rebuilding libc++abi-mt-except from source). So
# the threaded build uses Emscripten's JS-based exceptions, which catch
# correctly; the single-thread build keeps native wasm exceptions.
if(DISTILLERY_WASM_THREADS)
  set(DISTILLERY_WASM_EXCEPTIONS -fexceptions)
else()
  set(DISTILLERY_WASM_EXCEPTIONS -fwasm-exceptions)
endif()

# -msimd128 enables WebAssembly SIMD. -msse lets Eigen use its SSE path through
# Emscripten's SSE emulation (-msse2 and up break the build).
set(DISTILLERY_WASM_COMPILE_FLAGS -O3 -msimd128 -msse ${DISTILLERY_WASM_EXCEPTIONS})
set(DISTILLERY_WASM_LINK_FLAGS -O3 -msimd128 ${DISTILLERY_WASM_EXCEPTIONS} -sALLOW_MEMORY_GROWTH=1
    -sMAXIMUM_MEMORY=4GB -sTOTAL_STACK=2MB)
if(DISTILLERY_WASM_THREADS)
  list(APPEND DISTILLERY_WASM_COMPILE_FLAGS -pthread)
  list(APPEND DISTILLERY_WASM_LINK_FLAGS -pthread -sPTHREAD_POOL_SIZE=4)
endif()
