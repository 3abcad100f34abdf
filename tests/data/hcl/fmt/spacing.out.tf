locals {
  a = 1 + 2 * 3 - 4 / 5 % 6
  b = -1
  c = 2 - -1
  d = !true && false || x
  e = a == b != c < d <= e > f >= g
  f = x ? y : z
  g = f(a, b...)
  h = [1, 2]
  i = { a = 1, b = 2 }
  j = {}
  k = []
  l = a.b[0].c
  m = a[*].b
  n = a.*.b
  o = [for x in [1, 2] : x]
  p = { for k, v in m : k => v... if v != null }
  q = "a${b}c%{if x}y%{endif}"
  r = (1 + 2) * 3
  s = x[0]
  t = f()[0]
  u = -x.y
  v = [-1, -2]
  w = (-1)
  x = 1 - (-1)
  y = { a = 1 }
}
