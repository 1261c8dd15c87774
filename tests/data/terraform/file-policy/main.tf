# The policy is a file next to the module: read from disk when only this file is linted.
resource "aws_iam_policy" "p" {
  policy = file("${path.module}/policy.json")
}
