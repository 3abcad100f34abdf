terraform {
  required_version = ">= 1.5.0"

  backend "gitfleet" {
    name = "web-service"
  }
}

locals {
  project_name = lower(var.name)
  common_tags = merge(var.tags, {
    "service"    = var.name
    "managed-by" = "gitfleet"
  })

  # Every listener with its health check defaults filled in.
  listeners = {
    for name, l in var.listeners : name => merge(l, {
      health_path = try(l.health.path, "/")
    })
  }

  canary_weight = var.enable_canary ? 10 : 0
  ports         = sort([for l in values(var.listeners) : l.port])
  by_protocol   = { for k, l in var.listeners : l.protocol => k... }
}

resource "fleet_launch_template" "web" {
  name   = local.project_name
  source = "${path.module}/../www"
  # command = ["python3", "app.py"]

  environment = {
    PORT_NAMES = join(",", keys(var.listeners))
    GREETING   = "Hello from ${var.name}!"
  }
}

resource "fleet_target_group" "web" {
  for_each = local.listeners

  name = "${local.project_name}-${each.key}-tg"

  health_check {
    path                = each.value.health_path
    interval            = 1
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200-299"
  }

  deregistration_delay = 5
  tags                 = local.common_tags
}

resource "fleet_autoscaling_group" "web" {
  name             = local.project_name
  min_size         = var.instances.min
  max_size         = var.instances.max
  desired_capacity = var.instances.desired
  launch_template  = fleet_launch_template.web.id
  target_group_ids = [for tg in fleet_target_group.web : tg.id]

  dynamic "tag" {
    for_each = local.common_tags
    content {
      key   = tag.key
      value = tag.value
    }
  }

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [desired_capacity]
  }
}

resource "fleet_lb" "web" {
  name = local.project_name
}

resource "fleet_lb_listener" "this" {
  for_each = local.listeners

  load_balancer_id = fleet_lb.web.id
  port             = each.value.port
  protocol         = each.value.protocol

  default_action {
    type            = "forward"
    target_group_id = fleet_target_group.web[each.key].id
  }
}

resource "random_pet" "suffix" {
  count  = var.enable_canary ? 1 : 0
  length = 2
}
