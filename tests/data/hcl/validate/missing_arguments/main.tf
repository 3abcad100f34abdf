module "app" {
  name = "x"
}

output "url" {
  description = "the URL"
}

resource "fleet_lb" {
  name = "x"
}

variable "a" "b" {}
