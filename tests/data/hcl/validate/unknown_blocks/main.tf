resorce "fleet_lb" "web" {
  name = "web"
}

variable "port" {
  typ     = number
  default = 80
}

output "port" {
  value  = var.port
  sensitiv = true
}
