output "url" {
  value = "http://${fleet_lb.web.address:8080/"
}

output "list" {
  value = "%{ for s in var.list }${s}, %{ endif }"
}
