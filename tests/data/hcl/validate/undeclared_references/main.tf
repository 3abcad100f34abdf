variable "port" { type = number }

locals {
  url = "http://localhost:${var.prot}"
}

resource "fleet_lb" "web" {
  name     = local.nmae
  listener = fleet_lb.wbe.id
  data     = data.fleet_lb.existing.id
  app      = module.app.url
}
