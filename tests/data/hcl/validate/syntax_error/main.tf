resource "fleet_lb" "web" {
  name = "web
}

locals {
  x = 1 +
}
