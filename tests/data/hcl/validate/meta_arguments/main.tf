variable "names" { type = list(string) }

resource "fleet_lb" "counted" {
  count    = 2
  for_each = toset(var.names)
  name     = "x"
}

resource "fleet_lb" "by_list" {
  for_each = ["a", "b"]
  name     = each.value
}

resource "fleet_lb" "neg" {
  count = -1
  name  = count.index
}

resource "fleet_lb" "plain" {
  name = each.key
}

output "secret" {
  value = sensitive("x")
}
