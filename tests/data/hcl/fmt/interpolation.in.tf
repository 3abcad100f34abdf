locals {
  a = "${var.x}"
  b = "${var.x}-suffix"
  c = "${var.x}${var.y}"
  d = "${foo("${bar}")}"
  e = "${
    var.x
  }"
  f = "${var.cond ?
    "a" :
  "b"}"
  g = "${ var.spaced }"
  h = { k = "${var.not_an_attribute_value}" }
}
