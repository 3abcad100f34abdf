resource "fleet_lb_listener" "http" {
  load_balancer_id = fleet_lb.web.id
  default_action {
    type = "forward"
    target_group_id = [
      fleet_target_group.web.id
      fleet_target_group.api.id,
    ]
  }
}
