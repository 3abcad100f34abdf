resource "x" "y" {
  tags = merge(var.tags, {
    Name = "x"
  })
  list = [
    [1, 2],
    [
      3,
    ],
  ]
  nested {
    deeper {
      a = 1
    }
  }
  call = f(
    a,
    b,
  )
}
