resource aws_lb lb {
}
resource "a" b {
  nested c "d" e {}
}
module /* dropped */ "x" {
  source = "./x"
}
locals{
}
