terraform {
  required_version = ">= 1.0"
}

resource "fleet_autoscaling_group" "web" {
  name     = "web"
  min_size = 1,
  max_size = [1 2]
  tags = {
    team = "infra"
    cost center = "web"
  }
}

locals {
  x = 1 & 2
  y = 'single'
}
