locals {
  a = uper("x")
  b = length("a", "b")
  c = substr("hello", 1)
  d = max(1...)
  e = tonumber("abc")
  ok = try(tonumber("abc"), 0)
}
