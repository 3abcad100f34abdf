/*
 * A small "network" module in the style of the public AWS VPC modules:
 * computed subnets, conditional resources, splats and nested for
 * expressions.
 */

variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "zones" {
  type    = list(string)
  default = ["a", "b", "c"]
}

variable "public" {
  type    = bool
  default = true
}

variable "extra_rules" {
  type = list(object({
    port        = number
    cidr_blocks = list(string)
    description = optional(string)
  }))
  default = []
}

locals {
  subnets = {
    for i, zone in var.zones : zone => {
      cidr   = cidrsubnet(var.cidr, 8, i)
      public = var.public && i % 2 == 0
      index  = i
    }
  }

  public_subnets  = [for z, s in local.subnets : s.cidr if s.public]
  private_subnets = [for z, s in local.subnets : s.cidr if !s.public]

  rules = concat(
    [
      {
        port        = 80
        cidr_blocks = ["0.0.0.0/0"]
        description = "http"
      },
    ],
    var.extra_rules,
  )

  flat_rules = flatten([
    for r in local.rules : [
      for c in r.cidr_blocks : {
        key  = "${r.port}-${c}"
        port = r.port
        cidr = c
      }
    ]
  ])

  zone_count = length(var.zones) > 0 ? length(var.zones) : 1
  ratio      = (length(local.public_subnets) + 1) / local.zone_count * 100
  negative   = -local.ratio
  unknown    = null
  escaped    = "Literal $${not_interpolated} and %%{not_a_directive} and a tab:\t."
  unicode    = "caf\u00e9 \U0001F98A"
  nested     = local.subnets["a"].cidr
  legacy     = var.zones.0
}

resource "fleet_subnet" "this" {
  for_each = local.subnets

  cidr   = each.value.cidr
  public = each.value.public
  zone   = each.key
}

resource "fleet_firewall_rule" "ingress" {
  for_each = { for r in local.flat_rules : r.key => r }

  port        = each.value.port
  cidr_blocks = [each.value.cidr]
}

output "subnet_ids" {
  value = [for s in fleet_subnet.this : s.id]
}

output "first_public" {
  value = length(local.public_subnets) > 0 ? local.public_subnets[0] : null
}

output "all_ids" {
  value = fleet_subnet.this[*]
}
