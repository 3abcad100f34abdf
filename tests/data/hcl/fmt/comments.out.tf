# Leading comment
# indented comment
locals {
  # inside
  a             = 1   # one
  bbb           = 22  # two
  c             = 333 // three
  /* block */ d = 4
  e             = 5 /* after */
  f = [ # open
    1,  # item
  ]
}
/*
  multi-line block comment
    kept as it is
*/
