# A queue worker in Terraform: the queue it polls through an event source mapping, a
# dead-letter topic, an on-failure destination and its environment's key.
resource "aws_sqs_queue" "jobs" {}
resource "aws_sqs_queue" "retries" {}
resource "aws_sns_topic" "failures" {}
resource "aws_kms_key" "env" {}

resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "worker" {
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["sqs:*", "logs:*"], Resource = "*" }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
  kms_key_arn   = aws_kms_key.env.arn
  dead_letter_config {
    target_arn = aws_sns_topic.failures.arn
  }
}

resource "aws_lambda_event_source_mapping" "jobs" {
  function_name    = aws_lambda_function.worker.arn
  event_source_arn = aws_sqs_queue.jobs.arn
}

resource "aws_lambda_function_event_invoke_config" "worker" {
  function_name = aws_lambda_function.worker.function_name
  destination_config {
    on_failure {
      destination = aws_sqs_queue.retries.arn
    }
  }
}
