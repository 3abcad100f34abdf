terraform {
  required_version = ">= 1.0, < 2.0"
  backend "gitfleet" { name = "fox-or-bear" }
}

variable "project_name" {
  type        = string
  default     = "fox-or-bear"
  description = "Name shared by every resource of the site."
  validation {
    condition     = can(regex("^[a-z-]+$", var.project_name))
    error_message = "The project name may contain lowercase letters and dashes only."
  }
}

variable "capacity" {
  type = object({
    min     = optional(number, 1)
    max     = optional(number, 3)
    desired = optional(number, 2)
  })
  default = {}
}

locals {
  project_name = var.project_name
  tags         = { for k in ["app", "env"] : k => "${local.project_name}-${k}" }
}

resource "fleet_launch_template" "web" {
  name   = local.project_name
  source = "${path.module}/../www"
}

resource "fleet_target_group" "web" {
  name = "${local.project_name}-tg"
  health_check {
    path                = "/"
    interval            = 1
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200"
  }
  deregistration_delay = 5
}

resource "fleet_autoscaling_group" "web" {
  name             = local.project_name
  min_size         = var.capacity.min
  max_size         = var.capacity.max
  desired_capacity = var.capacity.desired
  launch_template  = fleet_launch_template.web.id
  target_group_ids = [fleet_target_group.web.id]
  tags             = local.tags
}

resource "fleet_lb" "web" { name = local.project_name }

resource "fleet_lb_listener" "http" {
  load_balancer_id = fleet_lb.web.id
  port             = 8080
  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.web.id
  }
}

output "url" { value = "http://127.0.0.1:${fleet_lb_listener.http.port}/" }
