resource "fleet_target_group" "web" {
  name = "web-tg"
  health_check {
    path = "/"
}
