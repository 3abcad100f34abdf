# The shape of examples/fox-or-bear/infra, with a fast health check: what
# bench/push-to-live.sh deploys when that example is not there.
terraform {
  backend "gitfleet" { name = "push-to-live" }
}

variable "port" {
  type    = number
  default = 8080
}

variable "desired" {
  type    = number
  default = 1
}

locals {
  name = "push-to-live"
}

resource "fleet_lb" "web" {
  name = local.name
}

resource "fleet_target_group" "web" {
  name = "${local.name}-tg"
  health_check {
    path                = "/"
    interval            = 0.1
    timeout             = 0.5
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200"
  }
  deregistration_delay = 1
}

resource "fleet_lb_listener" "http" {
  load_balancer_id = fleet_lb.web.id
  port             = var.port
  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.web.id
  }
}

resource "fleet_launch_template" "web" {
  name   = local.name
  source = "${path.module}/../www"
}

resource "fleet_autoscaling_group" "web" {
  name                      = local.name
  min_size                  = 1
  max_size                  = 3
  desired_capacity          = var.desired
  health_check_grace_period = 10
  launch_template           = fleet_launch_template.web.id
  target_group_ids          = [fleet_target_group.web.id]
}

output "url" {
  value = "http://127.0.0.1:${fleet_lb_listener.http.port}/"
}
