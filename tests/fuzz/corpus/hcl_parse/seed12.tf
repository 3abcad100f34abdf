variable "port" {
  type    = number
  default = 8080
  default = 8081
}
