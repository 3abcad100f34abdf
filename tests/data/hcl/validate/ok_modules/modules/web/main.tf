variable "name" { type = string }
variable "port" { type = number }
variable "replicas" {
  type    = number
  default = 1
}

resource "fleet_lb" "this" {
  name = var.name
}

resource "fleet_lb_listener" "this" {
  count            = var.replicas > 0 ? 1 : 0
  load_balancer_id = fleet_lb.this.id
  port             = var.port
  dynamic "default_action" {
    for_each = ["forward"]
    content {
      type = default_action.value
    }
  }
}

output "url" { value = "http://127.0.0.1:${var.port}/" }
