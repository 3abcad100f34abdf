resource "fleet_lb" "web" {
  name "web"
}
