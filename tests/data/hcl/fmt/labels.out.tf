resource "aws_lb" "lb" {
}
resource "a" "b" {
  nested "c" "d" "e" {}
}
module "x" {
  source = "./x"
}
locals {
}
