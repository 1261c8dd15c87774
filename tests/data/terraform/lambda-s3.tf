# The `ProcessUploadedFile` function of examples/lambda-s3/template.yaml, written for Terraform.
variable "upload_bucket_name" {
  default = "my-upload-bucket"
}

resource "aws_s3_bucket" "upload" {
  bucket = var.upload_bucket_name
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "process_uploaded_file" {
  name                = "process-uploaded-file"
  assume_role_policy  = data.aws_iam_policy_document.assume.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
}

resource "aws_iam_role_policy" "logs" {
  role = aws_iam_role.process_uploaded_file.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "logs:*"
      Resource = "*"
    }]
  })
}

data "aws_iam_policy_document" "s3_read" {
  statement {
    actions = [
      "s3:GetObject",
      "s3:ListBucket",
      "s3:GetBucketLocation",
      "s3:GetObjectVersion",
      "s3:GetLifecycleConfiguration",
    ]
    resources = [
      "arn:aws:s3:::${var.upload_bucket_name}",
      "arn:aws:s3:::${var.upload_bucket_name}/*",
    ]
  }
}

resource "aws_iam_role_policy" "s3_read" {
  role   = aws_iam_role.process_uploaded_file.id
  policy = data.aws_iam_policy_document.s3_read.json
}

resource "aws_lambda_function" "process_uploaded_file" {
  function_name = "process-uploaded-file"
  role          = aws_iam_role.process_uploaded_file.arn
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "build/process.zip"
}

resource "aws_lambda_permission" "upload" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.process_uploaded_file.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.upload.arn
  source_account = "111122223333"
}
