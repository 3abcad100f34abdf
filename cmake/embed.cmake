# Turns the dashboard's files into a C source file of byte arrays (src/ui/ui.h).
# Run as: cmake -DOUT=file.c -DFILES="a;b" -P embed.cmake
# Each file becomes one array, named by its index, with its SHA-256 as ETag.
set(body "/* Generated from src/ui by cmake/embed.cmake: do not edit. */\n#include \"ui/ui.h\"\n\n")
set(table "const ui_asset ui_assets[] = {\n")
set(i 0)
foreach(path IN LISTS FILES)
  get_filename_component(name "${path}" NAME)
  file(READ "${path}" hex HEX)
  file(SHA256 "${path}" sum)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  # Two hex digits → "0xNN," ; a line break every 16 bytes keeps lines short.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){16})" "\\1\n\t" bytes "${bytes}")
  string(APPEND body "static const unsigned char a${i}[] = {\n\t${bytes}0x00};\n\n")
  string(APPEND table "\t{\"${name}\", a${i}, ${len}, \"\\\"${sum}\\\"\"},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND table "};\nconst size_t ui_nassets = ${i};\n")
file(WRITE "${OUT}.tmp" "${body}${table}")
file(RENAME "${OUT}.tmp" "${OUT}")
