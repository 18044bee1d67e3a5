"""Contains all the data models used in inputs/outputs"""

from .admin_user import AdminUser
from .admin_user_page import AdminUserPage
from .approve import Approve
from .audit_entry import AuditEntry
from .audit_entry_data import AuditEntryData
from .audit_entry_page import AuditEntryPage
from .author import Author
from .balance import Balance
from .balances import Balances
from .bid import Bid
from .bid_create import BidCreate
from .bid_milestone import BidMilestone
from .bid_milestone_input import BidMilestoneInput
from .bid_page import BidPage
from .bid_status import BidStatus
from .bid_update import BidUpdate
from .changes_requested import ChangesRequested
from .contract import Contract
from .contract_page import ContractPage
from .contract_status import ContractStatus
from .csrf_token import CsrfToken
from .delivered_record import DeliveredRecord
from .delivered_record_page import DeliveredRecordPage
from .delivered_record_values import DeliveredRecordValues
from .delivery_problem import DeliveryProblem
from .delivery_problem_errors import DeliveryProblemErrors
from .delivery_upload import DeliveryUpload
from .dispute import Dispute
from .dispute_create import DisputeCreate
from .dispute_message import DisputeMessage
from .dispute_message_create import DisputeMessageCreate
from .dispute_page import DisputePage
from .dispute_status import DisputeStatus
from .event import Event
from .event_data import EventData
from .event_data_object import EventDataObject
from .event_page import EventPage
from .event_type import EventType
from .file_upload import FileUpload
from .fund import Fund
from .gold_difference import GoldDifference
from .gold_problem import GoldProblem
from .gold_problem_errors import GoldProblemErrors
from .gold_records import GoldRecords
from .gold_records_records_item import GoldRecordsRecordsItem
from .gold_report import GoldReport
from .gold_set import GoldSet
from .gold_set_records_item import GoldSetRecordsItem
from .gold_summary import GoldSummary
from .job import Job
from .job_create import JobCreate
from .job_page import JobPage
from .job_status import JobStatus
from .job_update import JobUpdate
from .ledger_check import LedgerCheck
from .list_contracts_status import ListContractsStatus
from .list_disputes_status import ListDisputesStatus
from .list_events_type_item import ListEventsTypeItem
from .list_job_bids_status import ListJobBidsStatus
from .list_jobs_sort import ListJobsSort
from .list_jobs_status import ListJobsStatus
from .list_my_bids_status import ListMyBidsStatus
from .list_operations_status import ListOperationsStatus
from .list_transactions_type import ListTransactionsType
from .list_users_role import ListUsersRole
from .list_users_status import ListUsersStatus
from .login import Login
from .login_result import LoginResult
from .message import Message
from .message_create import MessageCreate
from .message_page import MessagePage
from .milestone import Milestone
from .milestone_create import MilestoneCreate
from .milestone_records_format import MilestoneRecordsFormat
from .milestone_status import MilestoneStatus
from .operation import Operation
from .operation_page import OperationPage
from .operation_status import OperationStatus
from .pagination_metadata import PaginationMetadata
from .payment_status import PaymentStatus
from .payout_account import PayoutAccount
from .payout_countries import PayoutCountries
from .payout_country import PayoutCountry
from .person import Person
from .platform_loss import PlatformLoss
from .problem import Problem
from .problem_errors import ProblemErrors
from .profile_review import ProfileReview
from .profile_review_page import ProfileReviewPage
from .profile_update import ProfileUpdate
from .public_user import PublicUser
from .quality import Quality
from .quality_input import QualityInput
from .rating import Rating
from .receive_stripe_webhook_body import ReceiveStripeWebhookBody
from .receive_stripe_webhook_body_data import ReceiveStripeWebhookBodyData
from .receive_stripe_webhook_body_data_object import ReceiveStripeWebhookBodyDataObject
from .reconciliation import Reconciliation
from .reconciliation_difference import ReconciliationDifference
from .reconciliation_difference_what import ReconciliationDifferenceWhat
from .record_constraints import RecordConstraints
from .record_constraints_input import RecordConstraintsInput
from .record_counts import RecordCounts
from .record_field import RecordField
from .record_field_input import RecordFieldInput
from .record_field_input_type import RecordFieldInputType
from .record_field_type import RecordFieldType
from .record_schema import RecordSchema
from .record_schema_input import RecordSchemaInput
from .register import Register
from .register_role import RegisterRole
from .rejected_row import RejectedRow
from .report import Report
from .report_error import ReportError
from .report_error_code import ReportErrorCode
from .request_changes import RequestChanges
from .resolution import Resolution
from .resolve import Resolve
from .review import Review
from .review_create import ReviewCreate
from .source_file import SourceFile
from .source_file_content_type import SourceFileContentType
from .source_file_page import SourceFilePage
from .submission import Submission
from .submit import Submit
from .suspend import Suspend
from .token import Token
from .token_create import TokenCreate
from .token_created import TokenCreated
from .token_page import TokenPage
from .transaction import Transaction
from .transaction_page import TransactionPage
from .transaction_type import TransactionType
from .user import User
from .user_ref import UserRef
from .webhook_attempt import WebhookAttempt
from .webhook_attempt_page import WebhookAttemptPage
from .webhook_endpoint import WebhookEndpoint
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_create_events_item import WebhookEndpointCreateEventsItem
from .webhook_endpoint_page import WebhookEndpointPage
from .webhook_endpoint_secret import WebhookEndpointSecret
from .webhook_endpoint_update import WebhookEndpointUpdate
from .webhook_endpoint_update_events_item import WebhookEndpointUpdateEventsItem
from .webhook_receipt import WebhookReceipt

__all__ = (
    "AdminUser",
    "AdminUserPage",
    "Approve",
    "AuditEntry",
    "AuditEntryData",
    "AuditEntryPage",
    "Author",
    "Balance",
    "Balances",
    "Bid",
    "BidCreate",
    "BidMilestone",
    "BidMilestoneInput",
    "BidPage",
    "BidStatus",
    "BidUpdate",
    "ChangesRequested",
    "Contract",
    "ContractPage",
    "ContractStatus",
    "CsrfToken",
    "DeliveredRecord",
    "DeliveredRecordPage",
    "DeliveredRecordValues",
    "DeliveryProblem",
    "DeliveryProblemErrors",
    "DeliveryUpload",
    "Dispute",
    "DisputeCreate",
    "DisputeMessage",
    "DisputeMessageCreate",
    "DisputePage",
    "DisputeStatus",
    "Event",
    "EventData",
    "EventDataObject",
    "EventPage",
    "EventType",
    "FileUpload",
    "Fund",
    "GoldDifference",
    "GoldProblem",
    "GoldProblemErrors",
    "GoldRecords",
    "GoldRecordsRecordsItem",
    "GoldReport",
    "GoldSet",
    "GoldSetRecordsItem",
    "GoldSummary",
    "Job",
    "JobCreate",
    "JobPage",
    "JobStatus",
    "JobUpdate",
    "LedgerCheck",
    "ListContractsStatus",
    "ListDisputesStatus",
    "ListEventsTypeItem",
    "ListJobBidsStatus",
    "ListJobsSort",
    "ListJobsStatus",
    "ListMyBidsStatus",
    "ListOperationsStatus",
    "ListTransactionsType",
    "ListUsersRole",
    "ListUsersStatus",
    "Login",
    "LoginResult",
    "Message",
    "MessageCreate",
    "MessagePage",
    "Milestone",
    "MilestoneCreate",
    "MilestoneRecordsFormat",
    "MilestoneStatus",
    "Operation",
    "OperationPage",
    "OperationStatus",
    "PaginationMetadata",
    "PaymentStatus",
    "PayoutAccount",
    "PayoutCountries",
    "PayoutCountry",
    "Person",
    "PlatformLoss",
    "Problem",
    "ProblemErrors",
    "ProfileReview",
    "ProfileReviewPage",
    "ProfileUpdate",
    "PublicUser",
    "Quality",
    "QualityInput",
    "Rating",
    "ReceiveStripeWebhookBody",
    "ReceiveStripeWebhookBodyData",
    "ReceiveStripeWebhookBodyDataObject",
    "Reconciliation",
    "ReconciliationDifference",
    "ReconciliationDifferenceWhat",
    "RecordConstraints",
    "RecordConstraintsInput",
    "RecordCounts",
    "RecordField",
    "RecordFieldInput",
    "RecordFieldInputType",
    "RecordFieldType",
    "RecordSchema",
    "RecordSchemaInput",
    "Register",
    "RegisterRole",
    "RejectedRow",
    "Report",
    "ReportError",
    "ReportErrorCode",
    "RequestChanges",
    "Resolution",
    "Resolve",
    "Review",
    "ReviewCreate",
    "SourceFile",
    "SourceFileContentType",
    "SourceFilePage",
    "Submission",
    "Submit",
    "Suspend",
    "Token",
    "TokenCreate",
    "TokenCreated",
    "TokenPage",
    "Transaction",
    "TransactionPage",
    "TransactionType",
    "User",
    "UserRef",
    "WebhookAttempt",
    "WebhookAttemptPage",
    "WebhookEndpoint",
    "WebhookEndpointCreate",
    "WebhookEndpointCreateEventsItem",
    "WebhookEndpointPage",
    "WebhookEndpointSecret",
    "WebhookEndpointUpdate",
    "WebhookEndpointUpdateEventsItem",
    "WebhookReceipt",
)
