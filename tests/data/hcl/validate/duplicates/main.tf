resource "fleet_lb" "web" {
  name = "a"
}

variable "port" {}

resource "fleet_lb" "web" {
  name = "b"
}

variable "port" {}

output "x" { value = 1 }
output "x" { value = 2 }
