# A caller of a local module: the grants it passes in are reported here.
module "worker" {
  source  = "./modules/worker"
  actions = ["s3:*"]
  extra_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
  })
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = module.worker.role_arn
  runtime       = "python3.12"
}

module "loop" {
  source = "./modules/loop"
}

module "missing" {
  source = "./modules/nope"
}
