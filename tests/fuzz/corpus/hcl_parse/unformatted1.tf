variable "x" {
type = "string"
default="${var.y}"
description = "a"  # c1
  sensitive=true // c2
}
resource aws_lb   lb {
  name = "a-${ var.x }-b"
  tags = { Name = "x", "k2": 2 }
  list = [for i,s in var.l: upper(s) if s!=""]
  n = -1 + 2*3 % 4 / 5 - 6
  m = a[0] [1]
  f = f(a, b ...)
  c = a ? b : !c
  h = <<-EOT
    hello
      ${ world }
    EOT
  b { a = 1 }
  nested {
  x = [
  1,
  2,
  ]
  }
  map = {
    a = 1
    bbb = 2
  }
}
