# ONNX protobuf support for the engine, from Debian only:
#   - the schema, /usr/include/onnx/onnx.proto (libonnx-dev)
#   - nanopb's generator, protoc + protoc-gen-nanopb (nanopb, protobuf-compiler)
#   - nanopb's runtime sources, unpacked by scripts/setup.sh from Debian's
#     *source* package into third_party/nanopb (libnanopb-dev has only an x86
#     static library, useless for WebAssembly)
# The C code is generated in the build tree at build time and compiled into
# distillery_engine itself, so it gets the engine's flags (WASM, sanitizers).
set(DISTILLERY_NANOPB_DIR "${CMAKE_SOURCE_DIR}/third_party/nanopb" CACHE PATH
    "nanopb runtime sources (pb_decode.c ...; scripts/setup.sh unpacks them)")
set(DISTILLERY_ONNX_PROTO "/usr/include/onnx/onnx.proto" CACHE FILEPATH "the ONNX schema (libonnx-dev)")
find_program(DISTILLERY_PROTOC protoc)
find_program(DISTILLERY_PROTOC_GEN_NANOPB protoc-gen-nanopb)
foreach(need DISTILLERY_PROTOC DISTILLERY_PROTOC_GEN_NANOPB)
  if(NOT ${need})
    message(FATAL_ERROR "${need} not found: run scripts/setup.sh (Debian packages nanopb, protobuf-compiler)")
  endif()
endforeach()
if(NOT EXISTS "${DISTILLERY_ONNX_PROTO}")
  message(FATAL_ERROR "${DISTILLERY_ONNX_PROTO} not found: run scripts/setup.sh (Debian package libonnx-dev)")
endif()
if(NOT EXISTS "${DISTILLERY_NANOPB_DIR}/pb_decode.c")
  message(FATAL_ERROR "nanopb sources not found in ${DISTILLERY_NANOPB_DIR}: run scripts/setup.sh")
endif()

set(ONNX_GEN_DIR "${CMAKE_BINARY_DIR}/onnx_proto")
set(ONNX_OPTIONS "${CMAKE_SOURCE_DIR}/src/engine/io/onnx/onnx.options")
file(MAKE_DIRECTORY "${ONNX_GEN_DIR}")
get_filename_component(ONNX_PROTO_DIR "${DISTILLERY_ONNX_PROTO}" DIRECTORY)
add_custom_command(
  OUTPUT "${ONNX_GEN_DIR}/onnx.pb.c" "${ONNX_GEN_DIR}/onnx.pb.h"
  COMMAND "${DISTILLERY_PROTOC}" "--plugin=protoc-gen-nanopb=${DISTILLERY_PROTOC_GEN_NANOPB}"
          "-I${ONNX_PROTO_DIR}" "--nanopb_out=-f${ONNX_OPTIONS}:${ONNX_GEN_DIR}" "${DISTILLERY_ONNX_PROTO}"
  DEPENDS "${DISTILLERY_ONNX_PROTO}" "${ONNX_OPTIONS}"
  COMMENT "nanopb: generating onnx.pb.c from ${DISTILLERY_ONNX_PROTO}")

set(ONNX_PROTO_SOURCES "${ONNX_GEN_DIR}/onnx.pb.c" "${DISTILLERY_NANOPB_DIR}/pb_common.c"
    "${DISTILLERY_NANOPB_DIR}/pb_decode.c" "${DISTILLERY_NANOPB_DIR}/pb_encode.c")
target_sources(distillery_engine PRIVATE ${ONNX_PROTO_SOURCES})
# Only the files that speak protobuf see nanopb (its headers, and a define that
# would otherwise change every engine file's flags). Pointer fields are
# allocated while decoding, sized by the bytes present; 32-bit sizes because
# a weight tensor is far over 64 KB.
file(GLOB ONNX_ENGINE_SOURCES CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/src/engine/io/onnx_*.cpp")
set_source_files_properties(${ONNX_PROTO_SOURCES} ${ONNX_ENGINE_SOURCES} TARGET_DIRECTORY distillery_engine PROPERTIES
  COMPILE_DEFINITIONS "PB_ENABLE_MALLOC;PB_FIELD_32BIT"
  INCLUDE_DIRECTORIES "${DISTILLERY_NANOPB_DIR};${ONNX_GEN_DIR}")
