locals {
  sum      = "a" + 1
  cond     = "yes" ? 1 : 2
  mixed    = true ? "a" : ["b"]
  index    = [1, 2, 3][5]
  attr     = { a = 1 }.b
  template = "port ${[80]}"
}
