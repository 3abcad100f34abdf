variable "name" {
  description = "Name of the service, used as a prefix for every resource."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "The name must start with a letter and use only lowercase letters, digits and dashes."
  }
}

variable "instances" {
  description = "Sizing of the autoscaling group."
  type = object({
    min     = number
    max     = number
    desired = optional(number, 2)
  })
  default = {
    min = 1
    max = 3
  }
}

variable "listeners" {
  description = "Ports to listen on, keyed by name."
  type = map(object({
    port     = number
    protocol = optional(string, "HTTP")
    health = optional(object({
      path     = optional(string, "/")
      interval = optional(number, 1)
    }), {})
  }))
  default = {
    http = { port = 8080 }
  }
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "enable_canary" {
  type     = bool
  default  = false
  nullable = false
}
