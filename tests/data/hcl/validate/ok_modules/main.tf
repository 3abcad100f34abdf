variable "sites" {
  type    = map(object({ port = number, replicas = optional(number, 1) }))
  default = { fox = { port = 8081 }, bear = { port = 8082, replicas = 2 } }
}

module "web" {
  source   = "./modules/web"
  for_each = var.sites
  name     = each.key
  port     = each.value.port
  replicas = each.value.replicas
}

module "single" {
  source = "./modules/web"
  name   = "single"
  port   = 9000
}

output "single_url" { value = module.single.url }
output "urls" { value = { for k, m in module.web : k => m.url } }
