variable "actions" {
  default = ["s3:GetObject"]
}

variable "extra_policy" {
  default = null
}

data "aws_iam_policy_document" "this" {
  statement {
    actions   = var.actions
    resources = ["arn:aws:s3:::reports/*"]
  }
  statement {
    actions   = ["sqs:*"]
    resources = ["arn:aws:sqs:us-east-1:111122223333:jobs"]
  }
}

resource "aws_iam_role" "this" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_iam_role_policy" "extra" {
  role   = aws_iam_role.this.id
  policy = var.extra_policy
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
